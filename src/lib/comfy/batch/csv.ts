/**
 * CSV as spreadsheets write it (RFC 4180): fields separated by a comma (or the `;` / tab that some locales' Excel
 * writes), quoted fields may hold separators, line breaks and doubled quotes (`""`), lines end in LF or CRLF.
 * Hand-written: the grammar is small and fully tested here, and it keeps a dependency out of the core.
 */

export type CsvResult = { ok: true; rows: string[][] } | { ok: false; message: string };

/** The separator of a CSV text: the first of `,` `;` tab found outside quotes on its first line (default `,`). */
export function detectSeparator(text: string): ',' | ';' | '\t' {
	let quoted = false;
	for (const ch of text) {
		if (ch === '"') quoted = !quoted;
		else if (!quoted && (ch === '\n' || ch === '\r')) break;
		else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) return ch;
	}
	return ',';
}

/**
 * Rows of fields. Blank lines are skipped; a byte order mark is dropped. An unterminated quote or text after a
 * closing quote is an error naming the line, so a broken file is never half read.
 */
export function parseCsv({ text, separator }: { text: string; separator?: string }): CsvResult {
	const sep = separator ?? detectSeparator(text);
	const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	// A field that was quoted may only be followed by a separator or a line end.
	let closed = false;
	let line = 1;
	let quoteLine = 1;
	const endRow = () => {
		row.push(field);
		if (row.length > 1 || row[0] !== '' || closed) rows.push(row);
		row = [];
		field = '';
		closed = false;
	};
	for (let i = 0; i < src.length; i++) {
		const ch = src[i]!;
		if (quoted) {
			if (ch === '"') {
				if (src[i + 1] === '"') {
					field += '"';
					i++;
				} else {
					quoted = false;
					closed = true;
				}
			} else {
				if (ch === '\n') line++;
				field += ch;
			}
			continue;
		}
		if (ch === sep) {
			row.push(field);
			field = '';
			closed = false;
		} else if (ch === '\n' || ch === '\r') {
			if (ch === '\r' && src[i + 1] === '\n') i++;
			endRow();
			line++;
		} else if (closed) {
			return {
				ok: false,
				message: `Line ${line}: text after a closing quote. Put the whole field in quotes and double any quote inside it ("").`
			};
		} else if (ch === '"' && field === '') {
			quoted = true;
			quoteLine = line;
		} else {
			field += ch;
		}
	}
	if (quoted) {
		return {
			ok: false,
			message: `Line ${quoteLine}: a quote opens a field that never closes. Add the closing quote (").`
		};
	}
	if (field !== '' || row.length > 0 || closed) endRow();
	return { ok: true, rows };
}
