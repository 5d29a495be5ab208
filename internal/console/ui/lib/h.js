// h builds DOM elements. Text always goes in as text nodes, never as HTML, so a name or a title
// typed by a citizen's clerk can never become markup (with the page's policy, a second guard).
//   h('button', {type: 'submit', onclick: f, class: 'primary'}, 'Lưu')
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    // the property and its default, so that resetting the form comes back to it
    else if (k === 'value') { el.value = v; if ('defaultValue' in el && tag !== 'select') el.defaultValue = v; }
    else if (k === 'checked') { el.checked = v; el.defaultChecked = v; }
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// mount replaces the children of el.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
// field is a label and its control, tied by id, with room for the control's error message,
// which is tied to it by aria-describedby so that a screen reader reads it with the control.
export function field(label, control, hint) {
  const id = control.id || (control.id = 'f' + (++ids));
  const err = h('p', {class: 'error', id: id + '-err', role: 'alert', hidden: true});
  control.setAttribute('aria-describedby', id + '-err');
  return h('div', {class: 'field', 'data-field': control.name || ''},
    h('label', {for: id}, label), control, hint ? h('p', {class: 'hint'}, hint) : null, err);
}

// select makes a <select> of [value, label] pairs.
export function select(attrs, options) {
  return h('select', attrs, options.map(([v, l]) => h('option', {value: v, selected: String(v) === String(attrs.value ?? '')}, l)));
}
