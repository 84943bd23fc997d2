// The live camera: getUserMedia into a <video>, with the failure spelled out so
// the kiosk can show a clear "no camera" state instead of a blank stage.

export type CameraFailure = 'unsupported' | 'denied' | 'not-found' | 'failed';

export class CameraUnavailableError extends Error {
  override readonly name = 'CameraUnavailableError';
  constructor(
    readonly reason: CameraFailure,
    options?: { cause?: unknown },
  ) {
    super(`Camera unavailable: ${reason}`, options);
  }
}

export async function startCamera(video: HTMLVideoElement, facingMode: 'user' | 'environment' = 'user'): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraUnavailableError('unsupported');
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
  } catch (cause) {
    const name = cause instanceof DOMException ? cause.name : '';
    const reason: CameraFailure =
      name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'not-found' : 'failed';
    throw new CameraUnavailableError(reason, { cause });
  }
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  return stream;
}

export function stopCamera(video: HTMLVideoElement): void {
  const stream = video.srcObject;
  if (stream instanceof MediaStream) for (const track of stream.getTracks()) track.stop();
  video.srcObject = null;
}
