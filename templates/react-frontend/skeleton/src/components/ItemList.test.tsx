import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createWrapper } from '../test/utils';
import { ItemList } from './ItemList';

describe('ItemList', () => {
  it('links every item to its detail page', () => {
    render(
      <ItemList
        items={[
          { id: 'a1', name: 'First', description: 'The first one', updatedAt: '2025-01-01T00:00:00Z' },
          { id: 'b 2', name: 'Second', updatedAt: '2025-01-02T00:00:00Z' },
        ]}
      />,
      { wrapper: createWrapper() },
    );

    expect(screen.getByRole('link', { name: 'First' })).toHaveAttribute('href', '/items/a1');
    expect(screen.getByRole('link', { name: 'Second' })).toHaveAttribute('href', '/items/b%202');
    expect(screen.getByText('The first one')).toBeInTheDocument();
  });

  it('says so when there are no items', () => {
    render(<ItemList items={[]} />, { wrapper: createWrapper() });
    expect(screen.getByText('No items yet.')).toBeInTheDocument();
  });
});
