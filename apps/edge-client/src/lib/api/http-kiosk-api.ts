// KioskApi over the platform's HTTP API: `PUT /v1/blobs` for images and GraphQL
// at `/graphql` (typed documents from @person-search/schema) for the rest; the
// key or device token travels as a bearer token (credentials.ts), and a request
// refused as UNAUTHENTICATED is sent once more after the credentials renew.
import { DeviceIngestFrameDocument, DeviceIngestFramesDocument, ModelsDocument, SearchPersonDocument } from '@person-search/schema';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql/language/printer.js';
import { ApiError, apiErrorCodeFrom } from './api-error.js';
import type { Credentials } from './credentials.js';
import type { IngestFrameRequest, KioskApi, KioskIdentity, SearchRequest, SearchResult, StudentModelLocation, UploadedBlob } from './kiosk-api.js';

/** Only what every caller kind (API key or device token) can answer. */
const IDENTITY_QUERY = 'query KioskIdentity { viewer { role tenant { name } } }';

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class HttpKioskApi implements KioskApi {
  private readonly printed = new WeakMap<object, string>();
  private teacherId: Promise<string | null> | undefined;

  constructor(
    private readonly apiBase: string,
    private readonly credentials: Credentials,
  ) {}

  async identity(): Promise<KioskIdentity> {
    const data = await this.postGraphql<{ viewer: { role: string; tenant: { name: string } } }>(IDENTITY_QUERY, {});
    return { role: data.viewer.role, tenantName: data.viewer.tenant.name };
  }

  async uploadBlob(image: Blob): Promise<UploadedBlob> {
    const response = await this.send(`${this.apiBase}/v1/blobs`, {
      method: 'PUT',
      headers: { 'content-type': image.type || 'image/jpeg' },
      body: image,
    });
    const body = (await response.json()) as UploadedBlob;
    return { blobId: body.blobId, width: body.width, height: body.height };
  }

  async ingestFrame(request: IngestFrameRequest): Promise<{ imageId: string }> {
    const data = await this.graphql(DeviceIngestFrameDocument, { input: request });
    return { imageId: data.ingestFrame.image.id };
  }

  async ingestFrames(requests: IngestFrameRequest[]): Promise<{ imageId: string }[]> {
    const data = await this.graphql(DeviceIngestFramesDocument, { input: { frames: requests } });
    return data.ingestFrames.frames.map((frame) => ({ imageId: frame.image.id }));
  }

  async searchPerson(request: SearchRequest): Promise<SearchResult> {
    const teacher = this.teacherModelId();
    const data = await this.graphql(SearchPersonDocument, {
      input: {
        query: { photo: { blobId: request.blobId, box: request.box } },
        galleryIds: request.galleryIds.length > 0 ? request.galleryIds : undefined,
        topK: request.topK,
      },
    });
    return {
      totalMs: data.searchPerson.stats.totalMs,
      teacherModelId: await teacher,
      hits: data.searchPerson.hits.map(({ rank, score, teacherScore, detection }) => ({
        rank,
        score,
        teacherScore: teacherScore ?? null,
        detectionId: detection.id,
        box: { x1: detection.box.x1, y1: detection.box.y1, x2: detection.box.x2, y2: detection.box.y2 },
        capturedAt: detection.capturedAt,
        galleryId: detection.gallery.id,
        galleryName: detection.gallery.name,
        imageUrl: this.absolute(detection.image.url),
        imageWidth: detection.image.width,
        imageHeight: detection.image.height,
        cropUrl: this.absolute(detection.cropUrl),
      })),
    };
  }

  /** The API's teacher id, asked once per API object (it changes only with a server restart). */
  private teacherModelId(): Promise<string | null> {
    this.teacherId ??= this.graphql(ModelsDocument, {}).then(
      ({ models }) => models.teacher?.id ?? null,
      () => {
        this.teacherId = undefined;
        return null;
      },
    );
    return this.teacherId;
  }

  async activeStudent(): Promise<StudentModelLocation> {
    const { student } = (await this.graphql(ModelsDocument, {})).models;
    if (!student?.manifestUrl || !student.modelUrl) throw new ApiError('NOT_FOUND', 'The API has no student model for edges');
    return {
      id: student.id,
      version: student.version,
      sha256: student.sha256,
      manifestUrl: this.absolute(student.manifestUrl),
      modelUrl: this.absolute(student.modelUrl),
    };
  }

  async healthy(): Promise<boolean> {
    try {
      return (await fetch(`${this.apiBase}/healthz`, { cache: 'no-store' })).ok;
    } catch {
      return false;
    }
  }

  async imageObjectUrl(url: string): Promise<string> {
    const response = await this.send(url, { method: 'GET' });
    return URL.createObjectURL(await response.blob());
  }

  private async graphql<Result, Variables>(document: TypedDocumentNode<Result, Variables>, variables: Variables): Promise<Result> {
    let query = this.printed.get(document);
    if (!query) this.printed.set(document, (query = print(document)));
    return this.postGraphql(query, variables);
  }

  private async postGraphql<Result>(query: string, variables: unknown, renewed = false): Promise<Result> {
    const response = await this.send(`${this.apiBase}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLResponse<Result>;
    const first = body.errors?.[0];
    const code = first ? apiErrorCodeFrom(first.extensions?.code, response.status) : undefined;
    if (code === 'UNAUTHENTICATED' && !renewed && (await this.credentials.renew())) return this.postGraphql(query, variables, true);
    if (first) throw new ApiError(code!, first.message);
    if (!body.data) throw new ApiError('INTERNAL_SERVER_ERROR', 'GraphQL answer without data');
    return body.data;
  }

  /** fetch with the key; HTTP errors become ApiError with the server's code when it sent one. */
  private async send(url: string, init: RequestInit, renewed = false): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${await this.credentials.bearer()}` } });
    } catch (cause) {
      throw new ApiError('NETWORK', 'No connection to the server', { cause });
    }
    if (response.status === 401 && !renewed && (await this.credentials.renew())) return this.send(url, init, true);
    // GraphQL answers errors in the body (also with 4xx): let graphql() read them.
    const type = response.headers.get('content-type') ?? '';
    if (response.ok || (url.endsWith('/graphql') && type.includes('json'))) return response;
    let code: unknown;
    let message = `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as { code?: string; error?: string | { code?: string; message?: string }; message?: string };
      const error = typeof body.error === 'object' ? body.error : undefined;
      code = body.code ?? error?.code;
      message = body.message ?? error?.message ?? (typeof body.error === 'string' ? body.error : message);
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(apiErrorCodeFrom(code, response.status), message);
  }

  private absolute(url: string): string {
    return new URL(url, `${this.apiBase}/`).toString();
  }
}
