import { useEffect } from 'react';

const TABBABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The open modal dialog on top (the last one in the document), or null. */
function topDialog(): HTMLElement | null {
  const all = document.querySelectorAll<HTMLElement>('[role="dialog"][aria-modal="true"]');
  return all.length > 0 ? (all[all.length - 1] ?? null) : null;
}

function tabbables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(TABBABLE)).filter(
    (el) => el.offsetParent !== null || el.getClientRects().length > 0,
  );
}

/**
 * A popup opened from the dialog (a select's options, a menu, a tooltip) lives in a portal of its own,
 * outside the dialog's element: focus there has not left the dialog.
 */
function inOwnPopup(el: Element, dialog: HTMLElement): boolean {
  const portal = el.closest('[data-portal]');
  return portal !== null && !portal.contains(dialog);
}

/**
 * Keeps the keyboard inside the open dialog. Mantine's trap cycles Tab while the focus is inside; when
 * the focused element goes away (a button disabled as a run starts, a page replaced by the next) the
 * focus falls to the page body, and the next Tab would walk the menus behind the dialog. Here such a
 * Tab, or any focus that lands behind the dialog, is brought back to the dialog's first (Shift: last)
 * control.
 */
export function useDialogFocusGuard(): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== 'Tab') return;
      const dialog = topDialog();
      if (!dialog) return;
      const active = document.activeElement;
      if (active && active !== document.body && (dialog.contains(active) || inOwnPopup(active, dialog)))
        return;
      const list = tabbables(dialog);
      const target = e.shiftKey ? list[list.length - 1] : list[0];
      if (!target) return;
      e.preventDefault();
      target.focus();
    };
    const onFocusIn = (e: FocusEvent) => {
      const dialog = topDialog();
      const el = e.target;
      if (!dialog || !(el instanceof Element) || dialog.contains(el) || inOwnPopup(el, dialog)) return;
      (tabbables(dialog)[0] ?? dialog).focus();
    };
    document.addEventListener('keydown', onKeyDown, true);
    document.addEventListener('focusin', onFocusIn, true);
    return () => {
      document.removeEventListener('keydown', onKeyDown, true);
      document.removeEventListener('focusin', onFocusIn, true);
    };
  }, []);
}
