package dev.skiff.engine.api;

/** The whole route table: every area's handlers over one backend. */
final class Routes {
    private Routes() {
    }

    static Router of(Backend backend) {
        Router router = new Router();
        new SystemRoutes(backend).register(router);
        new ImageRoutes(backend).register(router);
        new ContainerRoutes(backend).register(router);
        new ArchiveRoutes(backend).register(router);
        new StreamRoutes(backend).register(router);
        new ExecRoutes(backend).register(router);
        new ProcessRoutes(backend).register(router);
        new NetworkRoutes(backend).register(router);
        new VolumeRoutes(backend).register(router);
        new EventRoutes(backend.events()).register(router);
        MissingRoutes.register(router);
        return router;
    }
}
