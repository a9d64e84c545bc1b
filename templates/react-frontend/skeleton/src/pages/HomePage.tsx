import { Link } from 'react-router-dom';

export function HomePage() {
  return (
    <section>
      <h1>${{ values.name }}</h1>
      <p>{${{ values.description | dump }}}</p>
      <p>
        Start with the <Link to="/items">items</Link> page: it lists data from the API with React Query.
      </p>
    </section>
  );
}
