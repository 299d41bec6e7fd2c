import { describe, expect, it } from 'vitest';
import {
  trayIconPath,
  trayMenuTemplate,
  trayStatusLine,
  trayTooltip,
} from '../../../src-main/electron/tray-menu.js';
import { noticeOptions } from '../../../src-main/electron/notice-options.js';

type Item = ReturnType<typeof trayMenuTemplate>[number];
const state = { running: true, scheduleEntries: 1, autoSyncSets: ['s1', 's2'], busy: [] };

function build(s = state) {
  const chosen: string[] = [];
  const template = trayMenuTemplate(s, {
    open: () => chosen.push('open'),
    showStatus: () => chosen.push('status'),
    quit: () => chosen.push('quit'),
  });
  return { template, chosen };
}

function click(item: Item | undefined): void {
  // Our items ignore the (menuItem, window, event) arguments Electron passes.
  (item?.click as (() => void) | undefined)?.();
}

describe('trayMenuTemplate', () => {
  it('offers Open ConfigSync, Synchronization status and Quit under a disabled status line', () => {
    const { template } = build();
    expect(template.map((i) => i.type ?? i.label)).toEqual([
      '1 schedule entry and automatic synchronization of 2 sets',
      'separator',
      'Open ConfigSync',
      'Synchronization status',
      'separator',
      'Quit ConfigSync',
    ]);
    expect(template[0]?.enabled).toBe(false);
    expect(template.filter((i) => i.click).every((i) => i.enabled !== false)).toBe(true);
  });

  it('each item does its own action', () => {
    const { template, chosen } = build();
    const byLabel = (label: string) => template.find((i) => i.label === label);
    click(byLabel('Open ConfigSync'));
    click(byLabel('Synchronization status'));
    click(byLabel('Quit ConfigSync'));
    expect(chosen).toEqual(['open', 'status', 'quit']);
  });

  it('says when a run is going on, or that nothing runs in the background', () => {
    expect(trayStatusLine({ ...state, busy: ['set:s1'] })).toBe('Synchronizing now (1 running)');
    expect(trayStatusLine({ ...state, running: false })).toBe('No automatic synchronization');
    expect(trayTooltip({ ...state, scheduleEntries: 0, autoSyncSets: [] })).toBe(
      'ConfigSync — No automatic synchronization',
    );
  });
});

describe('trayIconPath', () => {
  it('takes the app icon from assets/icons, smaller on the macOS menu bar', () => {
    expect(trayIconPath('/opt/ConfigSync/', 'linux')).toBe('/opt/ConfigSync/assets/icons/32x32.png');
    expect(trayIconPath('C:\\ConfigSync', 'win32')).toBe('C:\\ConfigSync/assets/icons/32x32.png');
    expect(trayIconPath('/Applications/ConfigSync.app', 'darwin')).toBe(
      '/Applications/ConfigSync.app/assets/icons/16x16.png',
    );
  });
});

describe('noticeOptions', () => {
  it('makes errors critical and persistent, information silent', () => {
    expect(noticeOptions('Run failed', 'beta unreachable', 'error', '/i.png')).toEqual({
      title: 'Run failed',
      body: 'beta unreachable',
      silent: false,
      urgency: 'critical',
      timeoutType: 'never',
      icon: '/i.png',
    });
    expect(noticeOptions('Synchronized', 'All in sync.', 'info')).toEqual({
      title: 'Synchronized',
      body: 'All in sync.',
      silent: true,
      urgency: 'normal',
      timeoutType: 'default',
    });
    expect(noticeOptions('Partial', 'x', 'warning').urgency).toBe('normal');
  });
});
