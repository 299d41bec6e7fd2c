/**
 * Offers text to the user as a file: the browser's download (the browser shell has no native save
 * dialog; the desktop shell saves it the same way). The object URL is revoked after a while, not on the
 * next turn: a browser may still be reading it when the click returns.
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
