/** Hands a Blob to the browser as a download named `name` (the object URL is freed once the download started). */
export function saveBlob(blob: Blob, name: string): void {
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.rel = 'noopener';
	document.body.append(link);
	link.click();
	link.remove();
	// The download reads the URL asynchronously: revoking at once can cancel it in some browsers.
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
