// Entry of dist/person-search-kiosk.js, the one script a host page loads:
//   <script type="module" src="https://<api>/kiosk/person-search-kiosk.js"></script>
//   <person-search-kiosk api="https://<api>" key="psk_…" gallery="…" mode="capture"></person-search-kiosk>
// The build puts onnxruntime-web's wasm files in ort/ beside this script.
import { defineKioskElement } from './index.js';

const ORT_FOLDER = 'ort/';
defineKioskElement({ wasmPaths: new URL(ORT_FOLDER, import.meta.url).href });
