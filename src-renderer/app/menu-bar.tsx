import { Button, Group, Kbd, Menu } from '@mantine/core';
import { appMenu } from '../../src-shared/menu.js';
import { useUiStore } from '../stores/ui-store.js';

function shortcut(accelerator: string | undefined): string | null {
  if (!accelerator) return null;
  const mac = navigator.platform.toLowerCase().includes('mac');
  return accelerator.replace('CmdOrCtrl', mac ? '⌘' : 'Ctrl');
}

/** The application menu as an in-app menu bar (the browser shell has no native menu). */
export function MenuBar() {
  const run = useUiStore((s) => s.runMenuCommand);
  return (
    <Group gap={2} role="menubar" aria-label="Application menu">
      {appMenu.map((menu) => (
        <Menu key={menu.label} position="bottom-start" shadow="md" width={320} withinPortal transitionProps={{ duration: 0 }}>
          <Menu.Target>
            <Button variant="subtle" color="gray" size="compact-sm" role="menuitem" aria-haspopup="menu">
              {menu.label}
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {menu.items.map((item) => {
              const keys = shortcut(item.accelerator);
              return (
                <Menu.Item
                  key={item.command}
                  onClick={() => run(item.command)}
                  rightSection={keys ? <Kbd size="xs">{keys}</Kbd> : null}
                >
                  {item.label}
                </Menu.Item>
              );
            })}
          </Menu.Dropdown>
        </Menu>
      ))}
    </Group>
  );
}
