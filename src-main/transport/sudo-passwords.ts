/**
 * The sudo passwords given for the run that is starting, by server id: in this process's memory only
 * (never in the store, a log or a file), handed to that run's connections and cleared when it ends.
 */
export class SudoPasswords {
  private readonly byServer = new Map<string, string>();

  set(serverId: string, password: string): void {
    this.byServer.set(serverId, password);
  }

  get(serverId: string): string | undefined {
    return this.byServer.get(serverId);
  }

  has(serverId: string): boolean {
    return this.byServer.has(serverId);
  }

  /** Forgets one server's password, or all of them. */
  clear(serverId?: string): void {
    if (serverId === undefined) this.byServer.clear();
    else this.byServer.delete(serverId);
  }
}
