-- Make the published generation (attached as pub) the default catalog.
USE pub;
