// The sign-in and enrolment pages run no WASM: they are plain forms the
// server answers, so a phone on a slow network can use them at once. This
// script adds what a plain form cannot do, and the pages work without it:
// the offline worker, the password's Show/Hide button, and the fields a
// refused form had (never a password) put back after the server's answer.
(() => {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});

  for (const button of document.querySelectorAll('button.toggle[aria-controls]')) {
    const input = document.getElementById(button.getAttribute('aria-controls'));
    if (!input) continue;
    button.addEventListener('click', () => {
      const shown = input.type === 'text';
      input.type = shown ? 'password' : 'text';
      button.setAttribute('aria-pressed', String(!shown));
      button.textContent = shown ? button.dataset.show : button.dataset.hide;
    });
  }

  // Kept for this tab only, and only until the next answer.
  const key = `ediary-form:${location.pathname}`;
  let kept = {};
  try {
    kept = JSON.parse(sessionStorage.getItem(key) || '{}');
    sessionStorage.removeItem(key);
  } catch (_) {
    // Storage refused (private mode): the person types again.
  }
  const refused = new URLSearchParams(location.search).has('__err');
  for (const input of document.querySelectorAll('input[data-keep]')) {
    if (refused && !input.value && typeof kept[input.name] === 'string') input.value = kept[input.name];
  }
  for (const form of document.querySelectorAll('form')) {
    if (!form.querySelector('input[data-keep]')) continue;
    form.addEventListener('submit', () => {
      const values = {};
      for (const input of form.querySelectorAll('input[data-keep]')) values[input.name] = input.value;
      try {
        sessionStorage.setItem(key, JSON.stringify(values));
      } catch (_) {
        // As above.
      }
    });
  }

  // What the WASM pages set once they have taken over: this page is ready.
  document.body.dataset.hydrated = 'true';
})();
