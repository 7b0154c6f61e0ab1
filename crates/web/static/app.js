// Hezuo's one small script, compiled into the binary. Pages work without it; with it, a form or
// button marked `data-confirm="…"` (an action that cannot be undone: cancelling a project, issuing
// a bulletin, merging demands, resolving a problem) asks before it is sent.
document.addEventListener('submit', function (e) {
  var form = e.target;
  var button = e.submitter;
  var ask = (button && button.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
  if (ask && !window.confirm(ask)) {
    e.preventDefault();
  }
}, true);
