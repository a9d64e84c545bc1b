/* The portal's sections, as the header, the home page and section pages show them. */
export const sections = {
  catalog: {
    path: '/catalog',
    title: 'Catalog',
    summary: 'Every service, website, library, API and team, with its owner and what it depends on.',
  },
  create: {
    path: '/create',
    title: 'Create',
    summary: 'Start a new service from a software template; its repository is created and registered for you.',
  },
  docs: {
    path: '/docs',
    title: 'Docs',
    summary: 'Technical documentation written next to the code and published for each component.',
  },
  search: {
    path: '/search',
    title: 'Search',
    summary: 'Find services, APIs, teams and documentation pages from one search box.',
  },
};
