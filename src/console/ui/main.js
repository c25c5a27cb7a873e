// The console's entry point: routes the URL hash to a page and tears the previous one down.
import './style.css';
import { errorBox, fill } from './lib.js';
import { overviewPage } from './pages/overview.js';
import { topicsPage } from './pages/topics.js';
import { topicPage } from './pages/topic.js';
import { messagesPage } from './pages/messages.js';
import { groupPage, groupsPage } from './pages/groups.js';
import { brokersPage } from './pages/brokers.js';
import { mapPage } from './pages/map.js';

const app = document.getElementById('app');
let cleanup = null;

function route() {
  cleanup?.();
  cleanup = null;
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [page, a, b] = parts;
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', link.getAttribute('href') === `#/${page || 'overview'}`);
  try {
    if (page === 'topics' && a) cleanup = topicPage(app, a);
    else if (page === 'topics') cleanup = topicsPage(app);
    else if (page === 'messages') cleanup = messagesPage(app, a, b);
    else if (page === 'groups' && a) cleanup = groupPage(app, a);
    else if (page === 'groups') cleanup = groupsPage(app);
    else if (page === 'brokers') cleanup = brokersPage(app);
    else if (page === 'map') cleanup = mapPage(app);
    else cleanup = overviewPage(app);
  } catch (err) {
    fill(app, errorBox(err));
  }
}

window.addEventListener('hashchange', route);
route();
