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
  ListJobsRequest,
  ListQueuesRequest,
  ListWorkersRequest,
  MetricsChangedNotification,
  MetricsQueryRequest,
  StateRequest,
  StatsRequest,
  TailEventsNotification,
  TailStartRequest,
  TailStopRequest,
  TimelineRequest,
} from '../protocol/protocol';
import { Backend } from './backend';
import { hoverMarkdown, wordAt } from './hover';

// Started with --node-ipc by the extension, or --stdio by other editors and the tests.
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

const backend = new Backend({
  state: (state) => void connection.sendNotification(ConnectionStateNotification.type, state),
  changed: (change) => void connection.sendNotification(IndexChangedNotification.type, change),
  tail: (batch) => void connection.sendNotification(TailEventsNotification.type, batch),
  metrics: (changed) => void connection.sendNotification(MetricsChangedNotification.type, changed),
  log: (message) => connection.console.log(message),
});

let initialSettings: BackendSettings | undefined;

connection.onInitialize((params) => {
  initialSettings = params.initializationOptions as BackendSettings | undefined;
  return {
    capabilities: { hoverProvider: true, textDocumentSync: TextDocumentSyncKind.Incremental },
    serverInfo: { name: 'naq-job-events backend' },
  };
});

connection.onInitialized(() => {
  if (initialSettings) void backend.connect(initialSettings);
});

connection.onRequest(ConnectRequest.type, (settings) => backend.connect(settings));
connection.onRequest(DisconnectRequest.type, () => backend.disconnect());
connection.onRequest(StateRequest.type, () => backend.state);
connection.onRequest(ListJobsRequest.type, (params) => backend.listJobs(params));
connection.onRequest(GetJobRequest.type, ({ jobId }) => backend.getJob(jobId));
connection.onRequest(ListQueuesRequest.type, () => backend.listQueues());
connection.onRequest(ListWorkersRequest.type, () => backend.listWorkers());
connection.onRequest(TimelineRequest.type, ({ jobId }) => backend.timeline(jobId));
connection.onRequest(DeleteJobRequest.type, ({ jobId }) => backend.deleteJob(jobId));
connection.onRequest(EmitRequest.type, (params) => backend.emit(params));
connection.onRequest(EmitLifecycleRequest.type, (params) => backend.emitLifecycle(params));
connection.onRequest(TailStartRequest.type, (params) => backend.startTail(params));
connection.onRequest(TailStopRequest.type, ({ tailId }) => backend.stopTail(tailId));
connection.onRequest(StatsRequest.type, () => backend.stats());
connection.onRequest(MetricsQueryRequest.type, (params) => backend.queryMetrics(params));

connection.onHover(({ textDocument, position }): Hover | null => {
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

connection.onShutdown(() => backend.shutdown());

documents.listen(connection);
connection.listen();
