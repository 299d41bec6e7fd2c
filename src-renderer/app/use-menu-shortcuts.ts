import { useEffect } from 'react';
import { appMenu } from '../../src-shared/menu.js';
import { useUiStore } from '../stores/ui-store.js';

/** In the browser shell, the menu's accelerators work as page shortcuts (Electron's native menu does this itself). */
export function useMenuShortcuts(enabled: boolean): void {
  const run = useUiStore((s) => s.runMenuCommand);
  useEffect(() => {
    if (!enabled) return;
    const items = appMenu.flatMap((m) => m.items).filter((i) => i.accelerator);
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey)) return;
      for (const item of items) {
        const parts = (item.accelerator ?? '').split('+');
        const key = parts[parts.length - 1]?.toLowerCase();
        const wantsShift = parts.includes('Shift');
        if (key === e.key.toLowerCase() && wantsShift === e.shiftKey) {
          e.preventDefault();
          run(item.command);
          return;
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled, run]);
}
