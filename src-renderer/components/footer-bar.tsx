import type { ReactNode } from 'react';
import { Group, type MantineSpacing } from '@mantine/core';

/** The bar under a wizard or an editor: a rule above, what stands left and right spread apart. */
export function FooterBar({
  children,
  mt = 'xl',
}: {
  readonly children: ReactNode;
  readonly mt?: MantineSpacing;
}) {
  return (
    <Group
      justify="space-between"
      mt={mt}
      pt="md"
      style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
    >
      {children}
    </Group>
  );
}
