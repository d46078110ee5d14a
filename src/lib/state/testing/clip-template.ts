import { createTemplate } from '$lib/comfy/workflow';

/**
 * A video run as a template (EmptyImage frames → CreateVideo → SaveVideo, as in m_media.json), with no random
 * seed: the same values again are answered from the result cache. The simulator saves the MP4 the real server
 * wrote there.
 */
export const CLIP = createTemplate({
	name: 'Clip',
	api: {
		'1': { class_type: 'EmptyImage', inputs: { width: 64, height: 48, batch_size: 8, color: 3368652 } },
		'2': { class_type: 'CreateVideo', inputs: { images: ['1', 0], fps: 8 } },
		'3': {
			class_type: 'SaveVideo',
			inputs: { video: ['2', 0], filename_prefix: 'video/ComfyDeck-clip', format: 'auto', codec: 'auto' }
		}
	},
	parameters: [
		{
			id: 'fps',
			label: 'Frames per second',
			kind: 'FLOAT',
			group: 'Video',
			targets: [{ nodeId: '2', input: 'fps' }],
			default: 8,
			required: true,
			hidden: false
		}
	],
	now: 1
});
