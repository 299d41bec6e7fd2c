import { Badge, Group, Text, Tooltip } from '@mantine/core';
import {
  roleLabels,
  type LastContact,
  type Server,
  type ServerRole,
} from '../../../src-shared/model/server.js';

const roleColors: Readonly<Record<ServerRole, string>> = {
  primary: 'blue',
  secondary: 'teal',
  'not-selected': 'gray',
};

/** A role as a coloured badge (Primary, Secondary, Not selected). */
export function RoleBadge({ role }: { role: ServerRole }) {
  return (
    <Badge
      color={roleColors[role]}
      variant={role === 'not-selected' ? 'outline' : 'light'}
      radius="sm"
      // Whole in a narrow column ("NOT SELECTED", never "NOT SELECT…").
      style={{ minWidth: 'max-content' }}
    >
      {roleLabels[role]}
    </Badge>
  );
}

/** "user@host:port", or "this computer" for the local entry. */
export function addressOf(s: Server): string {
  return s.kind === 'local'
    ? 'this computer (no SSH)'
    : `${s.user}@${s.host}${s.port === 22 ? '' : `:${s.port}`}`;
}

function ago(iso: string): string {
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/** The last contact: when, whether it worked, and main's message on hover. */
export function LastContactCell({ contact }: { contact: LastContact | null }) {
  if (!contact)
    return (
      <Text size="sm" c="dimmed">
        never
      </Text>
    );
  return (
    <Tooltip label={contact.message} multiline w={360} withinPortal>
      <Group gap={6} wrap="nowrap">
        <Badge
          size="xs"
          circle
          color={contact.ok ? 'green' : 'red'}
          aria-label={contact.ok ? 'reachable' : 'failed'}
        >
          {' '}
        </Badge>
        <Text size="sm">
          {contact.ok ? 'OK' : 'Failed'}, {ago(contact.at)}
        </Text>
      </Group>
    </Tooltip>
  );
}
