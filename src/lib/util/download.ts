/**
 * Saves a Blob as a file through the browser's download prompt. The object URL lives a little longer than the
 * click, because some browsers start reading it only after the handler returns.
 */
export function downloadBlob(blob: Blob, fileName: string): void {
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = fileName;
	a.rel = 'noopener';
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Saves text (JSON, logs) as a file. */
export function downloadText(text: string, fileName: string, type = 'application/json'): void {
	downloadBlob(new Blob([text], { type }), fileName);
}
