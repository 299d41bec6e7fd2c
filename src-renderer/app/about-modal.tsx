import { Anchor, Code, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useAppInfo } from '../stores/app-info-store.js';

/** Help › About: what is running, read from main through `app.info`. */
export function AboutModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const info = useAppInfo((s) => s.info);
  return (
    <Modal opened={opened} onClose={onClose} title={<Title order={3}>About ConfigSync</Title>} centered>
      <Stack gap="sm">
        <Text size="sm">
          Keeps the configuration of secondary servers an exact copy of the primary&apos;s, over SSH, with a backup of
          everything it overwrites.
        </Text>
        {info && (
          <Table variant="vertical" withTableBorder data-testid="about-facts">
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={120}>Version</Table.Th>
                <Table.Td>{info.version}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Shell</Table.Th>
                <Table.Td>{info.shell === 'electron' ? 'Desktop (Electron)' : 'Browser shell (loopback)'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Store</Table.Th>
                <Table.Td>
                  <Code>{info.storePath}</Code>
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Platform</Table.Th>
                <Table.Td>
                  {info.platform}, Node {info.node}
                </Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        )}
        <Anchor size="xs" c="dimmed" component="span">
          ConfigSync {info?.version}
        </Anchor>
      </Stack>
    </Modal>
  );
}
