/**
 * Offers text to the user as a browser download: what `saveFile` does in the browser shell (the desktop
 * shell's session refuses downloads; it saves through its native dialog instead). The object URL is
 * revoked after a while, not on the next turn: a browser may still be reading it when the click returns.
 */
export function downloadFile(name: string, mime: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
