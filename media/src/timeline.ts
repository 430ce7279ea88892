/** The job timeline page's entry: the page (see timeline/page.ts) on VS Code's host and the browser's clock. */
import { isTimelineViewState, type TimelineMessage, type TimelineViewState, type ToTimeline } from '../../client/src/webview/messages';
import './lib/l10n';
import { connect, onHostMessage } from './lib/vscode';
import { browserClock } from './timeline/clock';
import { TimelinePage } from './timeline/page';
import { linkedTraceback } from './timeline/traceback';

const host = connect<TimelineMessage, TimelineViewState>(isTimelineViewState);
const page = new TimelinePage({
  host,
  details: linkedTraceback((frame) => host.post({ type: 'openFrame', body: frame })),
  clock: browserClock,
  root: document.getElementById('app')!,
});
onHostMessage<ToTimeline>((message) => page.onMessage(message));
page.start();
