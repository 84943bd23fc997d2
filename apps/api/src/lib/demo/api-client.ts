// A minimal client of the API's HTTP surface (typed GraphQL documents and
// PUT /v1/blobs), used by demo:seed.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/** Each document printed once (print walks the whole AST: ~0.1 ms for a search document). */
const printed = new WeakMap<object, string>();

export class ApiClient {
  constructor(readonly baseUrl: string, private readonly credential: string) {}

  async graphql<T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
    let query = printed.get(document);
    if (query === undefined) printed.set(document, (query = print(document)));
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.credential}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length) {
      const [first] = body.errors;
      throw new Error(`${first!.extensions?.code ?? 'ERROR'}: ${first!.message}`);
    }
    return body.data!;
  }

  async putBlob(bytes: Uint8Array, contentType: string): Promise<{ blobId: string; width: number; height: number }> {
    const response = await fetch(`${this.baseUrl}/v1/blobs`, {
      method: 'PUT',
      headers: { 'content-type': contentType, authorization: `Bearer ${this.credential}` },
      body: new Blob([bytes as Uint8Array<ArrayBuffer>]),
    });
    const body = (await response.json()) as { blobId: string; width: number; height: number; error?: { code: string; message: string } };
    if (!response.ok) throw new Error(`${body.error?.code}: ${body.error?.message}`);
    return body;
  }
}
