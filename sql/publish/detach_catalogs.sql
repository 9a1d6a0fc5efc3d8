-- Release both catalogs of a publish (the published generation and the writer's file).
USE memory;
DETACH pub;
DETACH src;
