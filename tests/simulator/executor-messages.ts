// What the simulator's executor sends as ComfyUI 0.8 does (recorded): the progress_state body, the bodies of
// execution_error for a node that raised and for a dependency cycle, and the binary frames of previews and texts.
import { containSize, encodeJpeg, encodePng, isImage, resizeImage } from './image';
import { formatValue } from './nodes/generic';
import type { PyError, Preview } from './nodes/types';
import { pyDumps } from './py-format';

/** Where a node of the running prompt is, as progress_state reports it. */
export type NodeState = { state: 'pending' | 'running' | 'finished'; value: number; max: number };

// Frames every node exception passes through on a real 0.8 server (recorded).
const EXECUTE_TRACEBACK = [
	'  File "ComfyUI/execution.py", line 518, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, v3_data=v3_data)\n                                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n',
	'  File "ComfyUI/execution.py", line 329, in get_output_data\n    return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, v3_data=v3_data)\n                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n',
	'  File "ComfyUI/execution.py", line 303, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n',
	'  File "ComfyUI/execution.py", line 291, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n'
];

/** Binary event types of ComfyUI's socket. */
export const PREVIEW_EVENT = 1;
export const TEXT_EVENT = 3;
export const PREVIEW_WITH_METADATA_EVENT = 4;

/** The `nodes` of a progress_state message: every node that started, with its steps. */
export function progressStateNodes(
	progress: Map<string, NodeState>,
	promptId: string
): Record<string, unknown> {
	const nodes: Record<string, unknown> = {};
	for (const [id, s] of progress) {
		if (s.state === 'pending') continue;
		nodes[id] = {
			value: s.value,
			max: s.max,
			state: s.state,
			node_id: id,
			prompt_id: promptId,
			display_node_id: id,
			parent_node_id: null,
			real_node_id: id
		};
	}
	return nodes;
}

/** execution_error for a node that raised: the exception, its traceback and the inputs it was given. */
export function nodeErrorMessage(options: {
	promptId: string;
	nodeId: string;
	nodeType: string;
	executed: string[];
	error: PyError;
	inputs: Record<string, unknown>;
	nodeIds: string[];
}): Record<string, unknown> {
	const currentInputs: Record<string, unknown[]> = {};
	for (const [name, value] of Object.entries(options.inputs)) currentInputs[name] = [formatValue(value)];
	return {
		prompt_id: options.promptId,
		node_id: options.nodeId,
		node_type: options.nodeType,
		executed: [...options.executed],
		exception_message: `${options.error.message}\n`,
		exception_type: options.error.pyType,
		traceback: [...EXECUTE_TRACEBACK, ...options.error.traceback],
		current_inputs: currentInputs,
		current_outputs: options.nodeIds
	};
}

/** execution_error for a prompt whose links go round in a circle, blaming the node the execution list names. */
export function cycleErrorMessage(options: {
	promptId: string;
	nodeId: string;
	nodeType: string;
	executed: string[];
	nodeIds: string[];
}): Record<string, unknown> {
	return {
		prompt_id: options.promptId,
		node_id: options.nodeId,
		node_type: options.nodeType,
		executed: [...options.executed],
		exception_message: 'Dependency cycle detected',
		exception_type: 'graph.DependencyCycleError',
		traceback: [],
		current_inputs: [],
		current_outputs: options.nodeIds
	};
}

/** A preview with its metadata (for clients that announced `supports_preview_metadata`). */
export function previewWithMetadataFrame(options: {
	nodeId: string;
	promptId: string;
	preview: Preview;
}): Buffer {
	const { nodeId, promptId, preview } = options;
	const metadata = {
		node_id: nodeId,
		prompt_id: promptId,
		display_node_id: nodeId,
		parent_node_id: null,
		real_node_id: nodeId,
		image_type: preview.format === 'PNG' ? 'image/png' : 'image/jpeg'
	};
	const metaBytes = Buffer.from(pyDumps(metadata), 'utf8');
	const length = Buffer.alloc(4);
	length.writeUInt32BE(metaBytes.length);
	return Buffer.concat([length, metaBytes, previewBytes(preview)]);
}

/** A preview as older clients get it: the format (1 JPEG, 2 PNG), then the bytes. */
export function legacyPreviewFrame(preview: Preview): Buffer {
	const format = Buffer.alloc(4);
	format.writeUInt32BE(preview.format === 'PNG' ? 2 : 1);
	return Buffer.concat([format, previewBytes(preview)]);
}

/** A node's text (a progress text): the node id's length, the id, then the text. */
export function textFrame(options: { nodeId: string; text: string }): Buffer {
	const id = Buffer.from(options.nodeId, 'utf8');
	const length = Buffer.alloc(4);
	length.writeUInt32BE(id.length);
	return Buffer.concat([length, id, Buffer.from(options.text, 'utf8')]);
}

// Encoded previews of the images a sampler reuses (the preview-stream control cycles a few frames): encoding a
// 512 px JPEG costs tens of ms, more than a frame at 20 previews/s. New images (every normal step) never hit.
const encodedPreviews = new WeakMap<object, Map<string, Buffer>>();

/** The preview image bytes: scaled to fit `maxSize` (up or down), JPEG quality 95 or PNG level 1. */
function previewBytes(preview: Preview): Buffer {
	const key = `${preview.format} ${preview.maxSize}`;
	const known = encodedPreviews.get(preview.image)?.get(key);
	if (known) return known;
	const bytes = encodePreview(preview);
	const byKey = encodedPreviews.get(preview.image) ?? new Map<string, Buffer>();
	byKey.set(key, bytes);
	encodedPreviews.set(preview.image, byKey);
	return bytes;
}

function encodePreview(preview: Preview): Buffer {
	let image = preview.image;
	if (!isImage(image)) throw new Error('preview is not an image');
	if (preview.maxSize !== null) {
		const [w, h] = containSize(image.width, image.height, preview.maxSize);
		if (w !== image.width || h !== image.height) image = resizeImage(image, w, h, 'bilinear');
	}
	return preview.format === 'PNG' ? encodePng(image, { level: 1 }) : encodeJpeg(image, 95);
}
