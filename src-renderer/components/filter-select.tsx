import { Select, type ComboboxItem } from '@mantine/core';

type FilterSelectProps = {
  /** Read by screen readers and by the e2e tests (aria-label). */
  readonly label: string;
  /** What "no filter" reads as, e.g. "Every server". */
  readonly everything: string;
  readonly data: ReadonlyArray<ComboboxItem | string>;
  readonly value: string | null;
  readonly onChange: (value: string | null) => void;
};

/** A compact, clearable filter above a list (server, set, result…): cleared means "every". */
export function FilterSelect({ label, everything, data, value, onChange }: FilterSelectProps) {
  return (
    <Select
      size="xs"
      placeholder={everything}
      aria-label={label}
      clearable
      data={[...data]}
      value={value}
      onChange={onChange}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
