import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';

/** Example resource: replace with your API's types (or generate them from its OpenAPI document). */
export interface Item {
  id: string;
  name: string;
  description?: string;
  updatedAt: string;
}

export interface ItemPage {
  items: Item[];
  total: number;
}

export interface NewItem {
  name: string;
  description?: string;
}

export const itemKeys = {
  all: ['items'] as const,
  list: (page: number) => [...itemKeys.all, 'list', page] as const,
  detail: (id: string) => [...itemKeys.all, 'detail', id] as const,
};

const PAGE_SIZE = 20;

export function useItems(page = 0) {
  return useQuery({
    queryKey: itemKeys.list(page),
    queryFn: () => api.get<ItemPage>('/items', { query: { offset: page * PAGE_SIZE, limit: PAGE_SIZE } }),
    placeholderData: (previous) => previous,
  });
}

export function useItem(id: string | undefined) {
  return useQuery({
    queryKey: itemKeys.detail(id ?? ''),
    queryFn: () => api.get<Item>(`/items/${encodeURIComponent(id ?? '')}`),
    enabled: Boolean(id),
  });
}

export function useCreateItem() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (item: NewItem) => api.post<Item>('/items', item),
    onSuccess: (created) => {
      queryClient.setQueryData(itemKeys.detail(created.id), created);
      void queryClient.invalidateQueries({ queryKey: itemKeys.all });
    },
  });
}
