// Keeps the estimated total of the phone order form up to date while typing: the server prices
// the lines (the same "Calculer" the form does without JavaScript) and this swaps the figures in.
(() => {
  const form = document.querySelector('form[action="/console/orders/new"]');
  if (!form) return;
  let timer = null;
  let asked = 0;
  async function refresh() {
    const ticket = ++asked;
    const data = new URLSearchParams(new FormData(form));
    data.set('action', 'preview');
    // (form.action would be the buttons named "action": the attribute is the address)
    const res = await fetch(form.getAttribute('action'), { method: 'POST', body: data, credentials: 'same-origin', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (!res.ok || ticket !== asked) return;
    const page = new DOMParser().parseFromString(await res.text(), 'text/html');
    const total = page.querySelector('#total');
    if (total) document.querySelector('#total').textContent = total.textContent;
    const rows = page.querySelectorAll('tbody tr');
    document.querySelectorAll('fieldset tbody tr').forEach((row, i) => {
      const fresh = rows[i];
      if (!fresh) return;
      row.cells[3].textContent = fresh.cells[3].textContent;
      row.cells[4].textContent = fresh.cells[4].textContent;
    });
  }
  form.addEventListener('input', (e) => {
    if (!e.target.name || !/^(code|quantity|grams)_/.test(e.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void refresh().catch(() => {}), 350);
  });
})();
