import { createConnection, Hover, MarkupKind, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  BackendSettings,
  ConnectionStateNotification,
  ConnectRequest,
  DeleteJobRequest,
  DisconnectRequest,
  EmitLifecycleRequest,
  EmitRequest,
  GetJobRequest,
  IndexChangedNotification,
  ListContextsRequest,
  ListJobsRequest,
  ListQueuesRequest,
  ListWorkersRequest,
  MetricsChangedNotification,
  MetricsQueryRequest,
  StateRequest,
  StatsRequest,
  StreamApplyRequest,
  StreamPlanRequest,
  TailEventsNotification,
  TailStartRequest,
  TailStopRequest,
  TimelineRequest,
} from '../protocol/protocol';
import { FailureService } from '../failures/failureService';
import { FailureFeatures } from '../language/failureFeatures';
import { Backend } from './backend';
import { contextListing } from './contextList';
import { hoverMarkdown, wordAt } from './hover';
import { guard, guard0 } from './requestGuard';
import { checkParams } from './requestRules';

// Started with --node-ipc by the extension, or --stdio by other editors and the tests.
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

const backend = new Backend({
  state: (state) => connection.sendNotification(ConnectionStateNotification.type, state),
  changed: (change) => {
    void connection.sendNotification(IndexChangedNotification.type, change);
    failureService.indexChanged(change);
  },
  tail: (batch) => void connection.sendNotification(TailEventsNotification.type, batch),
  metrics: (changed) => void connection.sendNotification(MetricsChangedNotification.type, changed),
  log: (message) => connection.console.log(message),
});

const failureService = new FailureService(
  { index: () => backend.failureHost.index, session: () => backend.failureHost.session },
  { filesChanged: (files) => failureFeatures.filesChanged(files), callsChanged: () => failureFeatures.callsChanged(), log: (message) => connection.console.log(message) },
);
const failureFeatures = new FailureFeatures(connection, documents, failureService);
backend.useStreamHandler(failureService.follower);

let initialSettings: BackendSettings | undefined;

connection.onInitialize((params) => {
  initialSettings = params.initializationOptions as BackendSettings | undefined;
  failureFeatures.initialize(params);
  return {
    capabilities: { hoverProvider: true, codeLensProvider: { resolveProvider: false }, textDocumentSync: TextDocumentSyncKind.Incremental },
    serverInfo: { name: 'naq-job-events backend' },
  };
});

connection.onInitialized(() => {
  if (!initialSettings) return;
  try {
    void backend.connect(checkParams(ConnectRequest.method, initialSettings));
  } catch (error) {
    connection.console.error(`initializationOptions: ${(error as Error).message}; not connecting`);
  }
});

const log = (message: string): void => connection.console.error(message);

connection.onRequest(ConnectRequest.type, guard(ConnectRequest.method, log, (settings) => backend.connect(settings)));
connection.onRequest(DisconnectRequest.type, guard0(DisconnectRequest.method, log, () => backend.disconnect()));
connection.onRequest(StateRequest.type, guard0(StateRequest.method, log, () => backend.state));
connection.onRequest(ListJobsRequest.type, guard(ListJobsRequest.method, log, (params) => backend.listJobs(params)));
connection.onRequest(GetJobRequest.type, guard(GetJobRequest.method, log, ({ jobId }) => backend.getJob(jobId)));
connection.onRequest(ListQueuesRequest.type, guard0(ListQueuesRequest.method, log, () => backend.listQueues()));
connection.onRequest(ListWorkersRequest.type, guard0(ListWorkersRequest.method, log, () => backend.listWorkers()));
connection.onRequest(TimelineRequest.type, guard(TimelineRequest.method, log, (params) => backend.timeline(params)));
connection.onRequest(DeleteJobRequest.type, guard(DeleteJobRequest.method, log, ({ jobId }) => backend.deleteJob(jobId)));
connection.onRequest(EmitRequest.type, guard(EmitRequest.method, log, (params) => backend.emit(params)));
connection.onRequest(EmitLifecycleRequest.type, guard(EmitLifecycleRequest.method, log, (params) => backend.emitLifecycle(params)));
connection.onRequest(TailStartRequest.type, guard(TailStartRequest.method, log, (params) => backend.startTail(params)));
connection.onRequest(TailStopRequest.type, guard(TailStopRequest.method, log, ({ tailId }) => backend.stopTail(tailId)));
connection.onRequest(StatsRequest.type, guard0(StatsRequest.method, log, () => backend.stats()));
connection.onRequest(StreamPlanRequest.type, guard0(StreamPlanRequest.method, log, () => backend.streamPlan()));
connection.onRequest(StreamApplyRequest.type, guard(StreamApplyRequest.method, log, (params) => backend.applyStream(params)));
connection.onRequest(ListContextsRequest.type, guard0(ListContextsRequest.method, log, () => contextListing()));
// The metrics query checks its own parameters (server/src/metrics/metricsParams.ts).
connection.onRequest(MetricsQueryRequest.type, (params) => guard0(MetricsQueryRequest.method, log, () => backend.queryMetrics(params))());

connection.onHover(({ textDocument, position }): Hover | null => {
  const failing = failureFeatures.hover(textDocument.uri, position.line);
  if (failing) return failing;
  const document = documents.get(textDocument.uri);
  if (!document) return null;
  const line = document.getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } });
  const word = wordAt(line, position.character);
  const job = word ? backend.getJob(word.word) : null;
  if (!word || !job) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(job) },
    range: { start: { line: position.line, character: word.start }, end: { line: position.line, character: word.end } },
  };
});

connection.onShutdown(async () => {
  failureFeatures.dispose();
  await failureService.close();
  await backend.shutdown();
});

documents.listen(connection);
connection.listen();
