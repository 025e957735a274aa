/**
 * The Docker Engine API over a unix socket: enough of it that the unchanged docker CLI drives
 * Skiff.
 *
 * <p>Layers, one job per class:
 * <ul>
 *   <li>transport: {@link dev.skiff.engine.api.ApiServer} accepts on a platform thread and serves
 *       each connection on a virtual thread ({@link dev.skiff.engine.api.HttpConnection});</li>
 *   <li>HTTP/1.1 framing: {@link dev.skiff.engine.api.HttpRequest} (request line, headers,
 *       Content-Length and chunked bodies), {@link dev.skiff.engine.api.HttpResponse} (fixed,
 *       chunked and hijacked replies);</li>
 *   <li>dispatch: {@link dev.skiff.engine.api.Router}, which strips the {@code /v1.NN} prefix and
 *       is the one place where an {@link dev.skiff.engine.api.EngineException} becomes an HTTP
 *       status and Docker's {@code {"message": ...}} body;</li>
 *   <li>handlers, thin, one class per area: {@code SystemRoutes}, {@code ImageRoutes},
 *       {@code ContainerRoutes}, {@code ArchiveRoutes} (docker cp), {@code StreamRoutes} (attach, logs),
 *       {@code ExecRoutes};</li>
 *   <li>Docker's JSON shapes, mapped to and from the {@link dev.skiff.engine.api.Backend}
 *       records: {@code ContainerJson}, {@code ImageJson}, {@code ExecJson}, {@code SystemJson};</li>
 *   <li>{@link dev.skiff.engine.api.Streams}: the 8-byte multiplexed stream framing.</li>
 * </ul>
 *
 * <p>The reference for every shape is moby's {@code api/swagger.yaml} (API 1.47) and the docker
 * CLI's client code; the HTTP layer holds no state, the {@link dev.skiff.engine.api.Backend} does.
 */
package dev.skiff.engine.api;
