/** What the background side is doing, as Automation.background() reports it. */
export type BackgroundState = {
  readonly running: boolean;
  readonly scheduleEntries: number;
  readonly autoSyncSets: ReadonlyArray<string>;
};

/**
 * Whether anything would stop if the app quit: schedules or automatic synchronization are started and
 * at least one entry or set uses them. An app with nothing scheduled has no reason to linger.
 */
export function isBackgroundActive(state: BackgroundState): boolean {
  return state.running && (state.scheduleEntries > 0 || state.autoSyncSets.length > 0);
}

/**
 * Closing the window hides it to the tray while background work is on, so schedules and automatic
 * synchronization keep running; a real quit (tray Quit, app menu Quit, OS shutdown) always closes it.
 */
export function shouldHideOnClose(state: {
  readonly quitting: boolean;
  readonly backgroundActive: boolean;
}): boolean {
  return !state.quitting && state.backgroundActive;
}

/** The notice shown the first time the window goes to the tray, so the user knows the app still runs. */
export function hiddenToTrayNotice(state: BackgroundState): {
  readonly title: string;
  readonly body: string;
} {
  return {
    title: 'ConfigSync keeps running in the tray',
    body: `${backgroundSummary(state)} continue in the background. Choose Quit from the tray icon to stop them.`,
  };
}

/** "2 schedule entries and automatic synchronization of 1 set", for notices and the tray. */
export function backgroundSummary(state: BackgroundState): string {
  const parts: string[] = [];
  if (state.scheduleEntries > 0)
    parts.push(`${state.scheduleEntries} schedule ${state.scheduleEntries === 1 ? 'entry' : 'entries'}`);
  const sets = state.autoSyncSets.length;
  if (sets > 0) parts.push(`automatic synchronization of ${sets} ${sets === 1 ? 'set' : 'sets'}`);
  if (parts.length === 0) return 'Nothing scheduled';
  const text = parts.join(' and ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
