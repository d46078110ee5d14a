// What went wrong, as one line of text for a message or a log: every catch block in the app reads its error here.

const STORAGE_FULL = 'the browser storage is full — delete old history or raise the quota';

/**
 * The text of a caught error: an `Error`'s message (its name when the message is empty), a thrown string as it
 * is, anything else as `String(value)`. A full browser storage gets a message that says what to do about it.
 * @param error whatever a `catch` caught or a promise rejected with.
 * @param options.sentence end the text with a full stop when it has none, for messages that go on after it.
 */
export function errorMessage(error: unknown, options: { sentence?: boolean } = {}): string {
	const text = messageOf(error);
	return options.sentence && !/[.!?]$/.test(text) ? `${text}.` : text;
}

function messageOf(error: unknown): string {
	// DOMException is not an Error subclass in every runtime, so the quota check looks at the name alone.
	if (isNamed(error) && error.name === 'QuotaExceededError') return STORAGE_FULL;
	if (error instanceof Error) return error.message || error.name;
	return String(error);
}

function isNamed(value: unknown): value is { name: unknown } {
	return typeof value === 'object' && value !== null && 'name' in value;
}
