// The recordings panel: GET /recordings rendered as a list of download links.

function describe(recording) {
  if (recording.active) return 'recording…';
  const frames = recording.frameCount ?? '?';
  if (recording.error) return `${frames} frames · ${recording.error}`;
  return recording.complete ? `${frames} frames` : `${frames} frames · incomplete`;
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Fetch and render the list into `list`.
 * @param {HTMLUListElement} list
 * @returns {Promise<number>} number of recordings
 */
export async function refreshRecordings(list) {
  const response = await fetch('/recordings', { cache: 'no-store' });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `GET /recordings failed: ${response.status}`);
  list.replaceChildren(
    ...body.map((recording) => {
      const item = document.createElement('li');
      item.dataset.id = recording.id;
      const title = document.createElement('div');
      title.textContent = recording.id;
      const meta = document.createElement('div');
      meta.className = 'meta';
      meta.textContent = describe(recording);
      const links = document.createElement('div');
      for (const file of recording.files) {
        const link = document.createElement('a');
        link.href = `/recordings/${encodeURIComponent(recording.id)}/${encodeURIComponent(file.name)}`;
        link.download = '';
        link.textContent = file.name;
        link.title = formatBytes(file.bytes);
        links.append(link);
      }
      item.append(title, meta, links);
      return item;
    }),
  );
  return body.length;
}
