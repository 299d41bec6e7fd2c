import type { ModalProps } from '@mantine/core';

/**
 * A modal whose footer stays in view: the dialog is at most the window's height, its body a column,
 * and only the part between the title and the footer scrolls (wrap it in `modalScrollArea`). At
 * 1366×768 and at 200 % zoom the Cancel / Back / Next row is then never below the fold.
 */
export const footerModalStyles: ModalProps['styles'] = {
  content: {
    maxHeight: 'calc(100dvh - 2 * var(--modal-y-offset, 5dvh))',
    display: 'flex',
    flexDirection: 'column',
    overflow: 'hidden',
  },
  body: { flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' },
};

/** The scrolling middle of a `footerModalStyles` modal. */
export const modalScrollArea = { flex: 1, minHeight: 0, overflowY: 'auto', overflowX: 'hidden' } as const;
