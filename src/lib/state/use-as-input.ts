import { kindOfOutputFile } from '$lib/comfy';
import {
	encodeFormState,
	uploadedImageValue,
	type FileParameterKind,
	type Template
} from '$lib/comfy/workflow';
import type { ComfyApi } from '$lib/comfy';

/**
 * The kind of file field a result may feed: pictures (still or animated) go to image inputs, videos to
 * `video_upload` inputs, audio to `audio_upload` inputs; text and other files to none.
 */
export function inputKindOfResult(result: {
	kind?: string;
	filename: string;
	mime?: string;
	unplayable?: boolean;
}): FileParameterKind | undefined {
	if (result.unplayable) return undefined;
	const kind = result.kind ?? kindOfOutputFile({ filename: result.filename, contentType: result.mime });
	if (kind === 'image' || kind === 'animated') return 'IMAGE';
	if (kind === 'video') return 'VIDEO';
	if (kind === 'audio') return 'AUDIO';
	return undefined;
}

/** Templates with a visible field of `kind` (LoadImage, LoadVideo, LoadAudio…), for "Use as input". */
export function templatesWithInput({
	templates,
	kind
}: {
	templates: Template[];
	kind: FileParameterKind;
}): { template: Template; parameterId: string }[] {
	return templates.flatMap((template) => {
		const parameter = template.parameters.find((p) => p.kind === kind && !p.hidden);
		return parameter ? [{ template, parameterId: parameter.id }] : [];
	});
}

/**
 * Sends a result to another template as its input. A result saved in the output folder of the server the form
 * runs on is named there as ComfyUI loads it back (`video/a.mp4 [output]`, m_media.json): nothing is copied.
 * Anything else (a temp file from PreviewImage/PreviewAudio, which the server drops when it restarts, or a result
 * of another server) is uploaded to the input folder the way ComfyUI's frontend uploads any input file
 * (`/upload/image`; identical content is kept once). Returns the form's URL fragment with that file selected.
 */
export async function useResultAsInput(options: {
	api: Pick<ComfyApi, 'uploadImage'>;
	/** The server the form will run on. */
	serverId: string;
	blob: Blob;
	filename: string;
	saved?: { serverId: string; value: string };
	template: Template;
	parameterId: string;
}): Promise<string> {
	const value =
		options.saved && options.saved.serverId === options.serverId
			? options.saved.value
			: await upload(options);
	return encodeFormState({
		templateId: options.template.id,
		parameters: options.template.parameters,
		values: { [options.parameterId]: value },
		onlyChanged: true
	});
}

async function upload(options: {
	api: Pick<ComfyApi, 'uploadImage'>;
	blob: Blob;
	filename: string;
}): Promise<string> {
	const uploaded = await options.api.uploadImage({
		file: options.blob,
		filename: options.filename,
		type: 'input',
		overwrite: false
	});
	return uploadedImageValue({ name: uploaded.name, subfolder: uploaded.subfolder });
}
