import { SegmentedControl, Text } from '@mantine/core';
import type { CompareMethod, SyncMode } from '../../src-shared/model/sync.js';
import { compareExplained, modeExplained } from '../wizards/synchronize/format.js';

type ChoiceProps<T extends string> = {
  readonly label: string;
  /** The label's id (the control is labelled by it, which screen readers and the e2e tests read). */
  readonly id: string;
  readonly value: T;
  readonly onChange: (value: T) => void;
  readonly data: ReadonlyArray<{ readonly value: T; readonly label: string }>;
  readonly explained: string;
  readonly explainedTestId?: string;
  readonly spaced?: boolean;
};

function Choice<T extends string>({
  label,
  id,
  value,
  onChange,
  data,
  explained,
  explainedTestId,
  spaced,
}: ChoiceProps<T>) {
  return (
    <>
      <Text size="sm" fw={500} mb={4} id={id}>
        {label}
      </Text>
      <SegmentedControl
        fullWidth
        aria-labelledby={id}
        value={value}
        onChange={(v) => onChange(v as T)}
        data={[...data]}
      />
      <Text size="xs" c="dimmed" mt={4} {...(spaced ? { mb: 'md' } : {})} data-testid={explainedTestId}>
        {explained}
      </Text>
    </>
  );
}

/** Strict (mirror) or Easy (update), with what the choice means: the set editor's and the wizard's. */
export function ModeField(props: {
  readonly id: string;
  readonly value: SyncMode;
  readonly onChange: (mode: SyncMode) => void;
  readonly explainedTestId?: string;
  readonly spaced?: boolean;
}) {
  return (
    <Choice
      label="Mode"
      {...props}
      data={[
        { value: 'mirror', label: 'Strict' },
        { value: 'update', label: 'Easy' },
      ]}
      explained={modeExplained(props.value)}
    />
  );
}

/** Compare by time and size, or by checksum, with what the choice means. */
export function CompareField(props: {
  readonly id: string;
  readonly value: CompareMethod;
  readonly onChange: (compare: CompareMethod) => void;
}) {
  return (
    <Choice
      label="Compare files by"
      {...props}
      data={[
        { value: 'time-size', label: 'Time and size' },
        { value: 'checksum', label: 'Checksum' },
      ]}
      explained={compareExplained(props.value)}
    />
  );
}
