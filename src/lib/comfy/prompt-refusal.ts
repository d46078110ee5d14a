/**
 * What ComfyUI says is wrong with a prompt: the 400 body of `POST /prompt`, and the `node_errors` of a prompt it
 * queued anyway (nodes it skipped), read into `ValidationIssue`s.
 */
import { ComfyValidationError, type ValidationIssue } from './errors';
import { safeParseWith, zPromptErrorBody, type NodeError, type PromptErrorBody } from './schemas';

/** One issue per input error of one node. */
export function issuesOfNodeError(nodeId: string, nodeError: NodeError): ValidationIssue[] {
	return nodeError.errors.map((error) => ({
		nodeId,
		classType: nodeError.class_type,
		inputName: error.extra_info.input_name,
		type: error.type,
		message: error.message,
		details: error.details
	}));
}

/** Reads a 400 body of `POST /prompt` into a `ComfyValidationError` (one issue per node input error). */
export function validationErrorFromBody(text: string): ComfyValidationError | undefined {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return undefined;
	}
	const parsed = safeParseWith(zPromptErrorBody, json);
	if (!parsed.ok) return undefined;
	const body: PromptErrorBody = parsed.value;
	const issues = Object.entries(body.node_errors).flatMap(([nodeId, nodeError]) =>
		issuesOfNodeError(nodeId, nodeError)
	);
	if (!issues.length) {
		// `invalid_prompt` names the node only in details: "Node ID '#2'".
		const nodeId = /Node ID '#?([^']+)'/.exec(body.error.details)?.[1];
		if (nodeId) issues.push({ nodeId, type: body.error.type, message: body.error.message, details: '' });
	}
	return new ComfyValidationError({
		type: body.error.type,
		message: body.error.message,
		details: body.error.details,
		issues,
		body: json
	});
}
