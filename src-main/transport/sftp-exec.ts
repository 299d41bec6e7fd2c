import type ssh2 from 'ssh2';
import type { SFTPWrapper } from 'ssh2';

type Protocol = {
  subsystem(id: number, name: string, wantReply: boolean): void;
  exec(id: number, command: string, wantReply: boolean): void;
  channelData(id: number, data: Buffer): void;
};
type ChannelLike = { outgoing: { window: number } };
type ClientInternals = {
  _protocol: Protocol;
  _chanMgr: { get(id: number): unknown };
};

/**
 * An SFTP session served by a program started with an exec request (`sudo -n /usr/lib/openssh/sftp-server`)
 * instead of the `sftp` subsystem, so that files are read and written with sudo's rights. ssh2 builds
 * its SFTP client only on a channel it opened for the subsystem; for that one request, the subsystem
 * request is sent as this exec request instead (the server answers both the same way), and `stdin`
 * (sudo's password line) is sent right after it, before the SFTP client's first packet.
 */
export function sftpOverExec(
  client: InstanceType<typeof ssh2.Client>,
  command: string,
  stdin: Buffer | null,
  cb: (err: Error | undefined, sftp: SFTPWrapper) => void,
): void {
  const internals = client as unknown as ClientInternals;
  const protocol = internals._protocol;
  const original = Object.getOwnPropertyDescriptor(protocol, 'subsystem');
  protocol.subsystem = (id: number, _name: string, wantReply: boolean) => {
    restore();
    protocol.exec(id, command, wantReply);
    if (stdin) {
      const channel = internals._chanMgr.get(id) as ChannelLike | undefined;
      if (channel) channel.outgoing.window -= stdin.length;
      protocol.channelData(id, stdin);
    }
  };
  const restore = () => {
    if (original) Object.defineProperty(protocol, 'subsystem', original);
    else delete (protocol as Partial<Protocol>).subsystem;
  };
  try {
    client.sftp((err, sftp) => {
      restore();
      cb(err, sftp);
    });
  } catch (err) {
    restore();
    throw err;
  }
}
