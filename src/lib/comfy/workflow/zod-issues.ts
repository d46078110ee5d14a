// zod's validation issues (and the core guards', which word them the same) in words a user can act on: where in
// the file (`nodes[3].inputs[0].name`) and what was wrong ("missing (expected an object)"), for import errors.

/** The first five issues, each as `path: what was wrong`. */
export function plainZodIssues(error: {
	issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string[] {
	return error.issues.slice(0, 5).map((issue) => {
		const path = formatPath(issue.path);
		return `${path || 'top level'}: ${plainZodMessage(issue.message)}`;
	});
}

const KIND_WORDS: Record<string, string> = {
	record: 'an object',
	object: 'an object',
	array: 'a list',
	tuple: 'a list',
	string: 'text',
	number: 'a number',
	boolean: 'true or false',
	null: 'null',
	undefined: 'nothing'
};

/** zod's "Invalid input: expected record, received undefined" → "missing (expected an object)". */
function plainZodMessage(message: string): string {
	const match = /expected (\w+), received (\w+)/.exec(message);
	if (!match) return /invalid input/i.test(message) ? 'not in an accepted form' : message;
	const expected = KIND_WORDS[match[1]!] ?? match[1]!;
	return match[2] === 'undefined'
		? `missing (expected ${expected})`
		: `expected ${expected}, found ${KIND_WORDS[match[2]!] ?? match[2]}`;
}

/** `nodes[3].inputs[0].name` */
export function formatPath(path: readonly PropertyKey[]): string {
	let out = '';
	for (const part of path) {
		if (typeof part === 'number') out += `[${part}]`;
		else {
			const name = String(part).slice(0, 40);
			out += /^[A-Za-z_$][\w$]*$/.test(name) ? `${out ? '.' : ''}${name}` : `[${JSON.stringify(name)}]`;
		}
	}
	return out;
}
