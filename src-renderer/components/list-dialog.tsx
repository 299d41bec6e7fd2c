import type { ReactNode } from 'react';
import { Button, Group, Modal, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';

type ListDialogProps = {
  readonly opened: boolean;
  readonly onClose: () => void;
  readonly title: string;
  readonly size?: number;
  /** What stands above the table: an introduction, filters, alerts, an editor. */
  readonly children?: ReactNode;
  /** The column headers (an empty string for a column of buttons). */
  readonly columns: ReadonlyArray<ReactNode>;
  /** The table's rows (`<Table.Tr>` elements). */
  readonly rows: ReactNode;
  /** Shown under the header when `isEmpty`: what an empty list means. */
  readonly empty: ReactNode;
  readonly isEmpty: boolean;
  /** The table's data-testid, which the e2e tests find it by. */
  readonly tableTestId?: string;
  /** What stands under the list, above Close. */
  readonly below?: ReactNode;
  readonly striped?: boolean;
  /** The scrolled table's height at most (a CSS length). */
  readonly maxHeight?: string;
};

/**
 * The one list dialog of the Manage and View menus (Backups, History, Schedules): a title, what stands above the list, a scrolled table with its headers, the words for an empty
 * list, and a Close button.
 */
export function ListDialog({
  opened,
  onClose,
  title,
  size = 1100,
  children,
  columns,
  rows,
  empty,
  isEmpty,
  tableTestId,
  below,
  striped = false,
  maxHeight = '60vh',
}: ListDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size={size}
      centered
      padding="lg"
      title={<Title order={3}>{title}</Title>}
    >
      <Stack>
        {children}
        <ScrollArea.Autosize mah={maxHeight}>
          <Table verticalSpacing="xs" striped={striped} highlightOnHover data-testid={tableTestId}>
            <Table.Thead>
              <Table.Tr>
                {columns.map((c, i) => (
                  <Table.Th key={i}>{c}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>{rows}</Table.Tbody>
          </Table>
          {isEmpty && (
            <Text size="sm" c="dimmed" ta="center" py="xl">
              {empty}
            </Text>
          )}
        </ScrollArea.Autosize>
        {below}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
