import { kindOfOutputFile } from '$lib/comfy';
import {
	encodeFormState,
	serverFileOfValue,
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

/** Where "Use as input" leads, and whether a saved file was found gone and its kept copy uploaded instead. */
export interface UseAsInputResult {
	/** The form's URL fragment with the file selected. */
	link: string;
	/** Set when the result's saved file is no longer on the server: the copy kept here was uploaded as this name. */
	reuploadedAs?: string;
}

/**
 * Sends a result to another template as its input. A result saved in the output folder of the server the form
 * runs on is named there as ComfyUI loads it back (`video/a.mp4 [output]`, m_media.json): nothing is copied, once
 * the server says the file is still there (someone may have cleaned the output folder since). Anything else (a
 * temp file from PreviewImage/PreviewAudio, which the server drops when it restarts, a result of another server,
 * a saved file now gone) is uploaded to the input folder the way ComfyUI's frontend uploads any input file
 * (`/upload/image`; identical content is kept once).
 */
export async function useResultAsInput(options: {
	api: Pick<ComfyApi, 'uploadImage' | 'hasFile'>;
	/** The server the form will run on. */
	serverId: string;
	blob: Blob;
	filename: string;
	saved?: { serverId: string; value: string };
	template: Template;
	parameterId: string;
}): Promise<UseAsInputResult> {
	const saved = options.saved?.serverId === options.serverId ? options.saved.value : undefined;
	// A failed check (a proxy refusing ranges…) counts as gone: the upload that follows says what is wrong, if anything.
	const there = saved ? await options.api.hasFile(serverFileOfValue(saved)).catch(() => false) : false;
	const value = saved && there ? saved : await upload(options);
	const link = encodeFormState({
		templateId: options.template.id,
		parameters: options.template.parameters,
		values: { [options.parameterId]: value },
		onlyChanged: true
	});
	return saved && !there ? { link, reuploadedAs: value } : { link };
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
