// 接机拍照 — photos and files on an order (issue 20). A picture from the PC's camera
// (`navigator.mediaDevices.getUserMedia`: a live preview in a dialog and 拍照, which works
// in WebView2 and Chromium) or a file chosen from the disk (JPEG, PNG or PDF, at most
// 10 MB). On the order screen each is sent at once (`orders.attach`) and listed above the
// timeline with its thumbnail; a click opens the original (`orders.attachment_download`),
// 作废 voids it with a reason (never removed). On 来电登记 the order does not exist yet:
// the pictures wait beside the form and are sent once the order is registered.
//
// The core decides what a file is by its bytes and says so; the screen only refuses what it
// knows too big before sending it, and says in Chinese why a camera cannot open.
import { h, clear } from '../../lib/dom.js';
import { errorText } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';
import { download } from '../../lib/download.js';

/** The core's limit (src/orders/attachments.rs MAX_BYTES). */
export const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = 'image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf';

function sizeText(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** A file as a `data:` address. */
function readAsDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** Why the camera did not open, in the clerk's words (getUserMedia's DOMException names). */
function cameraError(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return t('photos.camera.denied');
    case 'NotFoundError':
    case 'OverconstrainedError':
      return t('photos.camera.none');
    case 'NotReadableError':
    case 'AbortError':
      return t('photos.camera.busy');
    default:
      return t('photos.camera.failed', { why: error?.message || error?.name || '' });
  }
}

/** A camera picture's name: 拍照-20261123-101502.jpg (the PC's local time). */
function cameraName() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${t('photos.camera.name')}-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.jpg`;
}

/**
 * The two ways in (拍照, 选择文件), the camera dialog and the error line. `onPicked({name,
 * content, size})` gets each picture or file (content: a `data:` address); `prefix` keeps
 * element ids apart. Returns {buttons, error, dialog, isOpen, showError, dispose}.
 */
function picker({ prefix, onPicked }) {
  const error = h('p', { class: 'field-error photos-error', id: `${prefix}-photo-error`, role: 'alert', 'aria-live': 'assertive' });
  const showError = (text) => {
    error.textContent = text ?? '';
  };
  const input = h('input', { type: 'file', accept: ACCEPT, multiple: true, hidden: true, id: `${prefix}-photo-file` });
  const chooseButton = h('button', { type: 'button', class: 'btn', id: `${prefix}-photo-choose`, dataset: { needs: 'orders.attach' }, title: t('photos.choose.title') }, t('photos.choose'));
  const cameraButton = h('button', { type: 'button', class: 'btn', id: `${prefix}-photo-camera`, dataset: { needs: 'orders.attach' }, title: t('photos.camera.title') }, t('photos.camera'));
  chooseButton.addEventListener('click', () => input.click());
  input.addEventListener('change', async () => {
    showError('');
    for (const file of [...input.files]) {
      if (file.size > MAX_BYTES) {
        showError(t('photos.too_big', { name: file.name, size: sizeText(file.size) }));
        continue;
      }
      if (file.size === 0) {
        showError(t('photos.empty', { name: file.name }));
        continue;
      }
      await onPicked({ name: file.name, content: await readAsDataUrl(file), size: file.size });
    }
    input.value = '';
  });

  // ---- the camera dialog ----------------------------------------------------------------
  const video = h('video', { class: 'photo-preview', id: `${prefix}-photo-video`, autoplay: true, playsinline: true, muted: true });
  const snap = h('button', { type: 'button', class: 'btn btn-primary', id: `${prefix}-photo-snap`, disabled: true }, t('photos.camera.snap'), ' ', h('kbd', {}, 'Enter'));
  const close = h('button', { type: 'button', class: 'btn', id: `${prefix}-photo-close` }, t('photos.camera.close'), ' ', h('kbd', {}, 'Esc'));
  const cameraNote = h('p', { class: 'muted', role: 'status' });
  const dialog = h(
    'dialog',
    { class: 'photo-dialog', id: `${prefix}-photo-dialog`, 'aria-labelledby': `${prefix}-photo-dialog-title` },
    h('h2', { id: `${prefix}-photo-dialog-title` }, t('photos.camera.dialog')),
    video,
    cameraNote,
    h('div', { class: 'form-actions form-actions-plain' }, snap, close),
  );
  let stream = null;
  function stop() {
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    snap.disabled = true;
  }
  function closeCamera() {
    stop();
    if (dialog.open) dialog.close();
    cameraButton.focus();
  }
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    closeCamera();
  });
  close.addEventListener('click', closeCamera);
  cameraButton.addEventListener('click', async () => {
    showError('');
    if (!navigator.mediaDevices?.getUserMedia) {
      showError(t('photos.camera.unsupported'));
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false });
    } catch (e) {
      showError(cameraError(e));
      cameraButton.focus();
      return;
    }
    video.srcObject = stream;
    cameraNote.textContent = t('photos.camera.note');
    if (!dialog.open) dialog.showModal();
    video.addEventListener(
      'loadedmetadata',
      () => {
        snap.disabled = false;
        snap.focus();
      },
      { once: true },
    );
  });
  snap.addEventListener('click', async () => {
    if (!stream || !video.videoWidth) return;
    const canvas = h('canvas', { width: video.videoWidth, height: video.videoHeight });
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
    closeCamera();
    if (!blob) {
      showError(t('photos.camera.failed', { why: 'toBlob' }));
      return;
    }
    await onPicked({ name: cameraName(), content: await readAsDataUrl(blob), size: blob.size });
  });

  return {
    buttons: [cameraButton, chooseButton, input],
    error,
    dialog,
    isOpen: () => dialog.open,
    showError,
    dispose: stop,
  };
}

/**
 * The order screen's 照片与附件: the list with thumbnails, 拍照 / 选择文件, 作废.
 * `onChange` is told after an attachment or a void (the order's timeline has a new entry).
 */
export function orderPhotos({ ctx, orderId, onChange }) {
  const section = h('section', { class: 'card file-section order-photos', id: 'order-photos' });
  const list = h('ul', { class: 'photo-list', id: 'order-photo-list', 'aria-label': t('photos.title') });
  const count = h('span', { class: 'section-count', id: 'order-photo-count' });
  let items = [];
  let busy = false;
  const pick = picker({
    prefix: 'order',
    async onPicked({ name, content }) {
      if (busy) return;
      busy = true;
      section.setAttribute('aria-busy', 'true');
      try {
        await ctx.call('orders.attach', { order_id: orderId, file_name: name, content_base64: content });
        if (!ctx.isCurrent()) return;
        ctx.toast(t('photos.added', { name }));
        await load();
        onChange?.();
      } catch (error) {
        if (ctx.isCurrent()) pick.showError(errorText(error));
      } finally {
        busy = false;
        section.removeAttribute('aria-busy');
      }
    },
  });

  // The original, opened: a picture in a dialog, a PDF downloaded.
  const viewImg = h('img', { class: 'photo-full', id: 'photo-view-img', alt: '' });
  const viewTitle = h('h2', { id: 'photo-view-title' });
  const viewSave = h('button', { type: 'button', class: 'btn', id: 'photo-view-save' }, t('photos.save'));
  const viewClose = h('button', { type: 'button', class: 'btn btn-primary', id: 'photo-view-close' }, t('photos.camera.close'), ' ', h('kbd', {}, 'Esc'));
  const viewer = h('dialog', { class: 'photo-dialog photo-viewer', id: 'photo-view', 'aria-labelledby': 'photo-view-title' }, viewTitle, viewImg, h('div', { class: 'form-actions form-actions-plain' }, viewSave, viewClose));
  let viewUrl = null;
  let viewFile = null;
  let returnFocus = null;
  function closeViewer() {
    if (viewer.open) viewer.close();
    viewImg.removeAttribute('src');
    viewUrl = null;
    returnFocus?.focus();
  }
  viewer.addEventListener('cancel', (event) => {
    event.preventDefault();
    closeViewer();
  });
  viewClose.addEventListener('click', closeViewer);
  viewSave.addEventListener('click', () => viewFile && download(viewFile.file_name, viewFile.content_base64));

  async function open(item, from) {
    pick.showError('');
    try {
      const file = await ctx.call('orders.attachment_download', { id: item.id });
      if (!ctx.isCurrent()) return;
      if (item.kind === 'pdf') {
        download(file.file_name, file.content_base64);
        return;
      }
      // A data: address: the door's content policy lets images come from itself and data:.
      viewUrl = `data:${item.kind === 'png' ? 'image/png' : 'image/jpeg'};base64,${file.content_base64}`;
      viewFile = file;
      returnFocus = from;
      viewTitle.textContent = item.file_name;
      viewImg.src = viewUrl;
      viewImg.alt = item.file_name;
      if (!viewer.open) viewer.showModal();
      viewClose.focus();
    } catch (error) {
      if (ctx.isCurrent()) pick.showError(errorText(error));
    }
  }

  function voidForm(item, li, from) {
    const reason = h('input', { class: 'input', id: `photo-void-reason-${item.id}`, maxlength: 200, 'aria-label': t('photos.void.reason') });
    const ok = h('button', { type: 'submit', class: 'btn btn-danger', id: `photo-void-ok-${item.id}` }, t('photos.void.ok'));
    const cancel = h('button', { type: 'button', class: 'btn' }, t('form.cancel'));
    const err = h('span', { class: 'field-error', role: 'alert' });
    const form = h('form', { class: 'photo-void', novalidate: true }, h('label', { for: reason.id }, t('photos.void.reason')), reason, ok, cancel, err);
    const done = () => {
      form.remove();
      from.focus();
    };
    cancel.addEventListener('click', done);
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        done();
      }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await ctx.call('orders.attachment_void', { id: item.id, reason: reason.value });
        if (!ctx.isCurrent()) return;
        ctx.toast(t('photos.voided', { name: item.file_name }));
        pick.showError('');
        await load();
        onChange?.();
        list.querySelector(`[data-id="${item.id}"] .photo-open`)?.focus();
      } catch (error) {
        err.textContent = errorText(error);
        reason.focus();
      }
    });
    li.append(form);
    reason.focus();
  }

  function row(item) {
    const thumb = item.thumbnail
      ? h('img', { class: 'photo-thumb', src: item.thumbnail, alt: item.file_name })
      : h('span', { class: 'photo-thumb photo-thumb-pdf', 'aria-hidden': 'true' }, 'PDF');
    const opener = h('button', { type: 'button', class: 'photo-open', title: t('photos.open.title'), 'aria-label': t('photos.open', { name: item.file_name }) }, thumb);
    const li = h(
      'li',
      { class: `photo-item${item.voided ? ' is-voided' : ''}`, dataset: { id: String(item.id), kind: item.kind } },
      opener,
      h(
        'div',
        { class: 'photo-meta' },
        h('span', { class: 'photo-name' }, item.file_name),
        h('span', { class: 'muted num' }, `${item.kind_label} · ${sizeText(item.size)}${item.width ? ` · ${item.width}×${item.height}` : ''}`),
        h('span', { class: 'muted num' }, `${deskDateTime(item.at)} · ${item.user}`),
        item.voided ? h('span', { class: 'chip chip-voided' }, t('photos.voided.chip')) : null,
        item.voided ? h('span', { class: 'muted photo-void-reason' }, t('photos.voided.reason', { reason: item.void_reason ?? '', user: item.voided_by ?? '' })) : null,
      ),
    );
    opener.addEventListener('click', () => open(item, opener));
    if (!item.voided) {
      const voider = h('button', { type: 'button', class: 'btn btn-small photo-void-button', dataset: { needs: 'orders.attachment_void' } }, t('photos.void'));
      voider.addEventListener('click', () => {
        if (!li.querySelector('.photo-void')) voidForm(item, li, voider);
      });
      li.querySelector('.photo-meta').append(voider);
    }
    return li;
  }

  function show() {
    clear(section);
    clear(list);
    const live = items.filter((i) => !i.voided).length;
    count.textContent = t('photos.count', { n: live });
    list.append(...items.map(row));
    section.append(
      h('div', { class: 'section-head' }, h('h2', {}, t('photos.title')), count, h('span', { class: 'toolbar photo-tools' }, ...pick.buttons)),
      pick.error,
      items.length ? list : h('p', { class: 'empty empty-small', id: 'order-photo-empty' }, t('photos.none')),
      pick.dialog,
      viewer,
    );
  }

  async function load() {
    try {
      items = await ctx.call('orders.attachments', { order_id: orderId });
    } catch (error) {
      items = [];
      pick.showError(errorText(error));
    }
    if (ctx.isCurrent()) show();
  }

  show();
  return {
    element: section,
    load,
    /** A dialog of this section (camera, viewer) is open: the page leaves the keys to it. */
    dialogOpen: () => pick.isOpen() || viewer.open,
    dispose() {
      pick.dispose();
    },
  };
}

/**
 * 来电登记's photos: taken or chosen before the order exists, shown as small previews with
 * 移除, and sent by `sendAll(orderId)` once the order is registered (the refusals returned).
 */
export function intakePhotos({ ctx }) {
  const pending = [];
  const strip = h('ul', { class: 'photo-list photo-list-pending', id: 'intake-photo-list' });
  const pick = picker({
    prefix: 'intake',
    onPicked(file) {
      pending.push(file);
      show();
      strip.lastElementChild?.scrollIntoView({ block: 'nearest' });
    },
  });
  function show() {
    clear(strip);
    strip.append(
      ...pending.map((file, i) => {
        const remove = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('photos.remove', { name: file.name }) }, t('photos.remove.short'));
        remove.addEventListener('click', () => {
          pending.splice(i, 1);
          show();
          pick.buttons[0].focus();
        });
        const isImage = file.content.startsWith('data:image/');
        return h(
          'li',
          { class: 'photo-item', dataset: { name: file.name } },
          isImage ? h('img', { class: 'photo-thumb', src: file.content, alt: file.name }) : h('span', { class: 'photo-thumb photo-thumb-pdf', 'aria-hidden': 'true' }, 'PDF'),
          h('div', { class: 'photo-meta' }, h('span', { class: 'photo-name' }, file.name), h('span', { class: 'muted num' }, sizeText(file.size)), remove),
        );
      }),
    );
  }
  const element = h(
    'div',
    { class: 'field field-photos' },
    h('span', { class: 'label' }, t('photos.intake.label')),
    h('div', { class: 'control' }, h('div', { class: 'inline' }, ...pick.buttons, h('span', { class: 'muted' }, t('photos.intake.hint'))), pick.error, strip, pick.dialog),
  );
  return {
    element,
    dialogOpen: pick.isOpen,
    count: () => pending.length,
    /** Sends every waiting file to the new order; the messages of those refused. */
    async sendAll(orderId) {
      const refused = [];
      for (const file of pending) {
        try {
          await ctx.call('orders.attach', { order_id: orderId, file_name: file.name, content_base64: file.content });
        } catch (error) {
          refused.push(`${file.name}：${errorText(error)}`);
        }
      }
      pending.length = 0;
      return refused;
    },
    dispose: pick.dispose,
  };
}
