// Served from another origin: its error reaches the page as a bare "Script error.".
throw new Error('a secret from another origin');
