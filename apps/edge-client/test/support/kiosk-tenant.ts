// A fresh tenant as the kiosk browser tests use it: an admin key, one gallery with a DEVICE key
// limited to it (a capture kiosk), and a SEARCH key (the search desk).
import { CreateApiKeyDocument, CreateGalleryDocument, CreateTenantDocument } from '@person-search/schema';
import type { ApiProcess } from './api-process.js';

export interface KioskTenant {
  adminKey: string;
  galleryId: string;
  deviceKey: string;
  searchKey: string;
}

export async function createKioskTenant(api: ApiProcess, names: { tenant: string; gallery: string }): Promise<KioskTenant> {
  const adminKey = (await api.gql(CreateTenantDocument, { input: { name: names.tenant } }, api.operatorToken)).createTenant.adminKey.secret;
  const galleryId = (await api.gql(CreateGalleryDocument, { input: { name: names.gallery } }, adminKey)).createGallery.id;
  const device = { name: `${names.gallery} kiosk`, role: 'DEVICE' as never, galleryIds: [galleryId] };
  const deviceKey = (await api.gql(CreateApiKeyDocument, { input: device }, adminKey)).createApiKey.secret;
  const searchKey = (await api.gql(CreateApiKeyDocument, { input: { name: 'search desk', role: 'SEARCH' as never } }, adminKey)).createApiKey.secret;
  return { adminKey, galleryId, deviceKey, searchKey };
}
