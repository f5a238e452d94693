import sharp from 'sharp';

/** A benchmark payload: a real JPEG and its size. */
export interface Payload {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly jpeg: Buffer;
}

/**
 * JPEGs that look like a sensor image to the encoder (blurred gaussian noise),
 * so their size is realistic: about 100 KB at 1280x720, about 30 KB at 640x360.
 */
export async function makePayload(kind: '720p' | '360p'): Promise<Payload> {
  const [width, height, quality] = kind === '720p' ? [1280, 720, 70] : [640, 360, 80];
  const jpeg = await sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .blur(1.5)
    .jpeg({ quality })
    .toBuffer();
  return { name: `${width}x${height}`, width, height, jpeg };
}
