"""What is published: HTML, PDF, images, the site's pages, feeds, search index, templates."""
