import { Modal, Text } from '@mantine/core';

/** A menu entry whose page is not part of this build yet: says so plainly instead of pretending. */
export function PendingDialog({ title, opened, onClose }: { title: string; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <Text size="sm">This part of ConfigSync is not available in this build yet.</Text>
    </Modal>
  );
}
