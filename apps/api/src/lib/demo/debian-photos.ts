// The default demo photos: pictures of people shipped in Debian's opencv-doc
// and python3-skimage packages, fetched with `apt-get download` (no root
// needed) and unpacked with `dpkg -x` into a cache folder under DATA_DIR.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

const packages: { name: string; photos: string[] }[] = [
  {
    name: 'opencv-doc',
    photos: [
      'usr/share/doc/opencv-doc/examples/data/basketball1.png',
      'usr/share/doc/opencv-doc/examples/data/basketball2.png',
      'usr/share/doc/opencv-doc/examples/data/messi5.jpg',
    ],
  },
  {
    name: 'python3-skimage',
    photos: ['usr/lib/python3/dist-packages/skimage/data/astronaut.png', 'usr/lib/python3/dist-packages/skimage/data/camera.png'],
  },
];

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    const reason = result.error?.message ?? result.stderr.trim().split('\n').slice(-3).join(' ');
    throw new Error(`\`${command} ${args.join(' ')}\` failed: ${reason}`);
  }
}

/** Downloads (once) and unpacks the packages; returns the photo files. */
export async function debianPeoplePhotos(cacheDir: string, log: (message: string) => void): Promise<string[]> {
  const debDir = path.join(cacheDir, 'debs');
  const rootDir = path.join(cacheDir, 'root');
  await mkdir(debDir, { recursive: true });
  const photos: string[] = [];
  for (const pkg of packages) {
    const wanted = pkg.photos.map((photo) => path.join(rootDir, photo));
    if (!wanted.every((file) => existsSync(file))) {
      let deb = (await readdir(debDir)).find((file) => file.startsWith(`${pkg.name}_`) && file.endsWith('.deb'));
      if (!deb) {
        log(`downloading Debian package ${pkg.name} (apt-get download)…`);
        run('apt-get', ['download', pkg.name], debDir);
        deb = (await readdir(debDir)).find((file) => file.startsWith(`${pkg.name}_`) && file.endsWith('.deb'));
        if (!deb) throw new Error(`apt-get download ${pkg.name} produced no .deb in ${debDir}`);
      }
      log(`unpacking ${deb} (dpkg -x)…`);
      run('dpkg', ['-x', path.join(debDir, deb), rootDir], debDir);
    }
    photos.push(...wanted.filter((file) => existsSync(file)));
  }
  return photos;
}

/** Every jpg/png/webp under `folder`, recursively, sorted. */
export async function photosInFolder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(jpe?g|png|webp)$/i.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
