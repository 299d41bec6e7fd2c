import { describe, expect, it } from 'vitest';
import {
  backgroundSummary,
  hiddenToTrayNotice,
  isBackgroundActive,
  shouldHideOnClose,
} from '../../../src-main/electron/close-to-tray.js';

const idle = { running: true, scheduleEntries: 0, autoSyncSets: [] };

describe('shouldHideOnClose', () => {
  it('hides to the tray only while background work is on and the app is not quitting', () => {
    expect(shouldHideOnClose({ quitting: false, backgroundActive: true })).toBe(true);
    expect(shouldHideOnClose({ quitting: false, backgroundActive: false })).toBe(false);
    expect(shouldHideOnClose({ quitting: true, backgroundActive: true })).toBe(false);
    expect(shouldHideOnClose({ quitting: true, backgroundActive: false })).toBe(false);
  });
});

describe('isBackgroundActive', () => {
  it('is on when started schedules or automatic sets exist', () => {
    expect(isBackgroundActive({ ...idle, scheduleEntries: 1 })).toBe(true);
    expect(isBackgroundActive({ ...idle, autoSyncSets: ['set-1'] })).toBe(true);
  });

  it('is off with nothing scheduled, or when the background side is not started', () => {
    expect(isBackgroundActive(idle)).toBe(false);
    expect(isBackgroundActive({ running: false, scheduleEntries: 3, autoSyncSets: ['set-1'] })).toBe(false);
  });
});

describe('hiddenToTrayNotice', () => {
  it('says what keeps running and how to stop it', () => {
    const notice = hiddenToTrayNotice({ running: true, scheduleEntries: 2, autoSyncSets: ['a'] });
    expect(notice.title).toBe('ConfigSync keeps running in the tray');
    expect(notice.body).toBe(
      '2 schedule entries and automatic synchronization of 1 set continue in the background. Choose Quit from the tray icon to stop them.',
    );
  });

  it('counts in words, singular and plural', () => {
    expect(backgroundSummary({ ...idle, scheduleEntries: 1 })).toBe('1 schedule entry');
    expect(backgroundSummary({ ...idle, autoSyncSets: ['a', 'b'] })).toBe(
      'Automatic synchronization of 2 sets',
    );
    expect(backgroundSummary(idle)).toBe('Nothing scheduled');
  });
});
